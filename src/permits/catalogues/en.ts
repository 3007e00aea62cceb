/**
 * Every line PermitLine shows or says in English, once: the fields' labels and questions, the messages about
 * answers, and the web pages' text. The Spanish catalogue (es.ts) has the same keys — its type is this one's —
 * and test/unit/catalogues.test.ts checks that none is missing or empty. `{name}` marks a value filled in by
 * `fill` (catalogue.ts); a catalogue's lines hold no markup.
 */
export const en = {
  permitTypes: {
    temporary_food_event: 'Temporary food event',
    mobile_food_unit: 'Mobile food unit',
    cottage_food_operation: 'Cottage food operation',
    food_establishment: 'Food establishment',
  },
  fields: {
    permitType: {
      label: 'Permit type',
      ask: 'Please choose the type of permit: temporary food event, mobile food unit, cottage food operation or food establishment.',
    },
    applicantName: {
      label: "Applicant's full name",
      ask: 'Please give the full name of the person applying.',
    },
    businessName: {
      label: 'Business name (as on the booth, truck or sign)',
      ask: 'Please give the business name as it appears on the booth, truck or sign.',
    },
    entityType: {
      label: 'Type of business entity',
      ask: 'Please say whether the business is an individual or sole proprietor, a partnership, an LLC, a corporation or a nonprofit.',
      options: {
        individual: 'Individual or sole proprietor',
        partnership: 'Partnership',
        llc: 'LLC',
        corporation: 'Corporation',
        nonprofit: 'Nonprofit',
      },
    },
    contactPhone: {
      label: 'Contact phone',
      ask: 'Please give a phone number where the health department can reach you.',
    },
    email: { label: 'Email', ask: 'Please give an email address, or leave it out.' },
    healthDistrict: {
      label: 'Health district',
      ask: 'Please choose the health district where you will operate.',
    },
    menuItems: { label: 'Menu items (one per line)', ask: 'Please list the food and drinks you will serve.' },
    servesTcsFoods: {
      label:
        'Do you serve foods that need time or temperature control (for example meat, dairy, cooked rice, cut melons)?',
      ask: 'Please say whether you serve foods that must be kept hot or cold for safety, such as meat, dairy or cooked rice.',
    },
    tcsItemCount: {
      label: 'How many of your menu items need time or temperature control?',
      ask: 'Please say how many of your menu items must be kept hot or cold for safety.',
      requiredWhen: 'Only if you serve such foods.',
    },
    foodPreparation: {
      label: 'Where is the food prepared?',
      ask: 'Please say whether all food is prepared on site or at a permitted commercial kitchen.',
      options: { on_site: 'All on site', commercial_kitchen: 'At a permitted commercial kitchen' },
    },
    commercialKitchenName: {
      label: 'Commercial kitchen name',
      ask: 'Please give the name of the commercial kitchen where the food is prepared.',
      requiredWhen: 'Only if food is prepared at a commercial kitchen.',
    },
    commercialKitchenAddress: {
      label: 'Commercial kitchen address',
      ask: 'Please give the street address of the commercial kitchen.',
      requiredWhen: 'Only if food is prepared at a commercial kitchen.',
    },
    certifiedFoodHandler: {
      label: 'Certified food handler or manager (name)',
      ask: 'Please give the name of the certified food handler or food manager.',
    },
    attestation: {
      label: 'I confirm the information is true and that health inspectors may enter to inspect.',
      ask: 'Please confirm that the information is true and that health inspectors may enter to inspect.',
    },
    smsConsent: {
      label: 'Send me a text message with my reference number',
      ask: 'Please say whether we may send you a text message with your reference number.',
    },
    eventName: { label: 'Event name (full)', ask: 'Please give the full name of the event.' },
    eventAddress: { label: 'Event address', ask: 'Please give the street address of the event.' },
    eventCoordinatorName: { label: 'Event coordinator name', ask: "Please give the event coordinator's name." },
    eventCoordinatorPhone: {
      label: 'Event coordinator phone',
      ask: "Please give the event coordinator's phone number.",
    },
    eventStartDate: { label: 'First day of the event', ask: 'Please give the first day of the event.' },
    eventEndDate: { label: 'Last day of the event', ask: 'Please give the last day of the event.' },
    dailyOpenTime: {
      label: 'Opening time each day',
      ask: 'Please give the time you open each day, for example 9 AM.',
    },
    dailyCloseTime: {
      label: 'Closing time each day',
      ask: 'Please give the time you close each day, for example 6 PM.',
    },
    booths: {
      label: 'Number of booths',
      ask: 'Please say how many booths you will run.',
      hint: 'Leave empty for one booth.',
    },
    unitType: {
      label: 'Type of unit',
      ask: 'Please say whether the unit is a truck, a trailer or a cart.',
      options: { truck: 'Truck', trailer: 'Trailer', cart: 'Cart' },
    },
    operationMode: {
      label: 'How the unit operates',
      ask: 'Please say whether the unit runs a route, stays at one location, or serves at events.',
      options: { route: 'On a route', single_location: 'At one location', events: 'At events' },
    },
    commissaryName: { label: 'Commissary name', ask: 'Please give the name of the commissary the unit works from.' },
    commissaryAddress: { label: 'Commissary address', ask: 'Please give the street address of the commissary.' },
    licensePlate: { label: 'License plate', ask: "Please give the unit's license plate, or leave it out." },
    homeAddress: { label: 'Home address', ask: 'Please give the address of the home where the food is made.' },
    salesChannel: {
      label: 'Where you sell',
      ask: 'Please say whether you sell only directly to customers, or also through stores.',
      options: { direct_only: 'Directly to customers only', direct_and_stores: 'Directly and through stores' },
    },
    waterSource: {
      label: 'Water source',
      ask: 'Please say whether your water comes from a public supply or a private well.',
      options: { public: 'Public water supply', private_well: 'Private well' },
    },
    establishmentAddress: {
      label: 'Establishment address',
      ask: 'Please give the street address of the establishment.',
    },
    openingDate: { label: 'Anticipated opening date', ask: 'Please give the date you expect to open.' },
  },
  /** Help shown under a field by its kind, when the field has none of its own. */
  kindHints: {
    phone: 'For example 212-555-0123.',
    date: 'For example March 3, 2027 or 03/03/2027.',
    time: 'For example 9 AM or 5:30 PM.',
  },
  /** Messages about an answer: one sentence saying what was heard and what to give instead. */
  problems: {
    that: 'that',
    textTooLong: '{label} is too long; please keep it to {max} characters or fewer.',
    hiddenCharacter:
      '{what} contains a hidden control or text-direction character (often carried along when text is copied and pasted); please type it again as plain text.',
    phoneOutsideNorthAmerica:
      '{label} looks like a number outside the US and Canada{where}, and we can only take US and Canadian numbers; please give one with its area code.',
    phoneNoneHeard: 'We did not hear a phone number for {labelLower}; please give all ten digits, area code first.',
    phoneOneDigitHeard:
      'We heard 1 digit for {labelLower}, and a US number has ten; please give all ten digits, area code first.',
    phoneDigitsHeard:
      'We heard {count} digits for {labelLower}, and a US number has ten; please give all ten digits, area code first.',
    dateOneDay: 'Please give {labelLower} as one day.',
    datePast: 'The {labelLower}, {date}, is in the past; please give a date from today on.',
    dateRange: 'We heard a range, {start} to {end}; the {labelLower} is one day, so please give just that day.',
    dateWeekdayMismatch:
      '{date} is a {dateWeekday}, not a {saidWeekday}; did you mean {dateWeekday} the {day} or {saidWeekday} the {otherDay}?',
    dateUnreadable: 'We could not read {said} as a date; please give a date such as March 3, 2027 or 03/03/2027.',
    timeNeedsMeridiem:
      'We heard {clock} without morning or evening; please say {clock} in the morning or {clock} in the evening.',
    timeRange: 'We heard {open} to {close}; the {labelLower} is one time, so please give just that time.',
    timeUnreadable: 'We could not read {said} as a time; please say it like 9 in the morning or 6:30 in the evening.',
    countRange: '{label}: please give a whole number from 1 to {max}.',
    emailInvalid: 'That email address does not look right; please check it, or leave it out.',
    menuItemNotText: 'Each menu item must be given as words, such as "beef tacos".',
    menuItemWhat: 'One of the menu items',
    menuItemEmpty: 'One of the menu items is empty; please name the dish or drink.',
    menuItemTooLong: 'Each menu item must be {max} characters or fewer; please shorten it.',
    menuTooLong: 'Please list at most {max} menu items; group similar ones together.',
    startAfterEnd:
      'The first day of the event, {first}, is after the last day, {last}; please give the day the event starts.',
    endBeforeStart:
      'The last day of the event, {last}, is before the first day, {first}; please give the day the event ends.',
    openSameAsClose: 'The opening time is the same as the closing time, {time}; please give the time you open.',
    closeSameAsOpen: 'The closing time is the same as the opening time, {time}; please give the time you close.',
    notAField: '"{key}" is not part of a food permit application.',
    notForPermitType: '{label} does not apply to a {permitTypeLower} permit.',
    unusable: 'That answer could not be used; please try again.',
    alreadySubmitted: 'This application has already been submitted and can no longer be changed.',
  },
  /** The applicant's web pages. */
  web: {
    siteName: 'PermitLine',
    brand: '{department} · Food permit applications',
    /** The department in the header when DEPARTMENT_NAME is not set. */
    departmentName: 'Health Department',
    languageSwitch: 'Language',
    yes: 'Yes',
    no: 'No',
    chooseOption: 'Choose…',
    optional: '{label} (optional)',
    applyTitle: 'Apply for a food permit',
    applyByPhone: 'You can also apply by phone.',
    /** {phone}: the department's number (DEPARTMENT_PHONE) as people write it, a link that calls it. */
    applyByPhoneAt: 'You can also apply by phone at {phone}.',
    applyIntro:
      'Answers are checked as you submit. To finish later, use "Save and finish later" and we will give you a link back to your answers.',
    resumeIntro:
      'We kept the answers you have already given. Choose the permit, then check your answers and fill in the rest.',
    whichPermit: 'Which permit do you need?',
    continue: 'Continue',
    formTitle: '{permitType} permit application',
    pleaseCorrect: 'Please correct: {title}',
    chooseDifferentType: 'Choose a different permit type',
    resumeFormIntro: 'We kept the answers you have already given. Check them, fill in the rest, and submit.',
    groupApplicant: 'You and your business',
    groupFood: 'Food',
    groupDeclarations: 'Confirm and send',
    operationTemporaryFoodEvent: 'The event',
    operationMobileFoodUnit: 'The mobile unit',
    operationCottageFoodOperation: 'Your home kitchen',
    operationFoodEstablishment: 'The establishment',
    submit: 'Submit application',
    saveForLater: 'Save and finish later',
    savedTitle: 'Your answers are saved',
    savedLinkBefore:
      'To finish your application, open this link. It works for {days} days, until the application is sent:',
    savedKeepPrivate: 'Keep the link to yourself: anyone who has it can see your answers.',
    savedNotKept: 'These answers were not saved; give them again when you come back:',
    savedCarryOn: 'Carry on now',
    textLinkHeading: 'Send the link to your phone',
    textLinkLabel: 'Mobile number',
    textLinkHint: 'A US or Canadian number that can get text messages. We text it once, with nothing but the link.',
    textLinkButton: 'Text me the link',
    textLinkQueuedTitle: 'We are texting you the link',
    textLinkQueued: 'The link is on its way to {phone}; it can take a few minutes to arrive.',
    textLinkAlready:
      'The link to this application has already been texted, so we did not send it again. Open it from that message, or copy it from this page.',
    textLinkLimit:
      'We cannot text {phone} again today: it has already had the most texts we send in one day. Please copy the link from this page.',
    oneProblem: 'There is one problem with the application',
    manyProblems: 'There are {count} problems with the application',
    privacyLinkBefore: 'How we use and keep your information:',
    privacyLinkText: 'privacy notice',
    receivedTitle: 'Application received',
    yourReferenceIs: 'Your reference number is',
    keepReference: 'Keep it: the health department will ask for it when they contact you.',
    textWillFollow: 'We will also send it to you by text message.',
    noTextToday:
      'We cannot send it by text message: this phone number has already had the most texts we send in one day. Please write it down now.',
    statusLinkBefore: 'You can see the status of your application at any time at',
    whatYouSent: 'What you sent',
    reviewTitle: 'Application {reference}',
    reviewHeading: 'Your application',
    reviewReference: 'Reference',
    reviewPermit: 'Permit',
    reviewReceived: 'Received',
    reviewStatus: 'Status',
    reviewWaiting: 'Received, waiting for review by the health department',
    reviewNextStep: 'The health department will contact you about the next step. Quote the reference when you call.',
    foodPermit: 'Food permit',
    errorTitle: 'Something went wrong',
    pageNotFound: 'Page not found',
    requestRefused: 'We could not accept this request',
    startApplication: 'Start an application',
    noPageHere: 'There is no page at this address.',
    linkNotValid: 'This link is not valid. Check that the whole link from the text message was opened.',
    linkExpiredTitle: 'This link has expired',
    linkExpiredText: 'The link to finish your application has expired, so it no longer opens your answers.',
    linkExpiredBefore: 'Please',
    linkExpiredStartNew: 'start a new application',
    linkExpiredAfter: ', or call us again to apply by phone.',
    badRequest: 'The request could not be read. Please go back and try again.',
    formExpired: 'This form has expired or was not sent from our site. Please reload the form and try again.',
    formTooLarge: 'The form was too large to accept. Please shorten long answers, such as the menu, and try again.',
    serverError:
      'Something went wrong on our side. If you saw a reference number your application is safe; otherwise please try again in a few minutes.',
    tooManyForms:
      'Too many forms have been sent from your connection, so this one was not sent. Please wait {wait}, then go back to the form (your answers are usually still there) and send it again.',
    tooManyRequests: 'Too many requests from your connection. Please wait {wait} and try again.',
    waitOneMinute: 'a minute',
    waitMinutes: '{minutes} minutes',
    alreadySentTitle: 'Application already received',
    alreadySentHeading: 'This application has already been sent',
    alreadySentText:
      'There is nothing more to do. Keep the reference: the health department will ask for it when they contact you.',
  },
  /** The privacy notice (/privacy); {days}, and the lines about recordings, follow the configuration. */
  privacy: {
    title: 'Privacy notice',
    intro:
      'The health department takes food permit applications by phone and on this website. This notice says what we keep about you, why, who handles it, and for how long.',
    collectHeading: 'What we collect',
    collectAnswers:
      'What you tell us for the application: names, your business, addresses, phone numbers, email, your menu, dates and the other answers the form asks for.',
    collectCalls: 'When you call: the number you call from, and a written transcript of the call, made automatically.',
    callsRecorded: 'Calls are also recorded: you are told so before you are connected, and we note when you were told.',
    callsNotRecorded: 'Calls are not recorded.',
    collectTexts: 'The text messages we send you, and whether they were delivered.',
    whyHeading: 'Why',
    whyText:
      'Only to handle your permit application and to contact you about it. We do not sell your information or use it for anything else.',
    whoHeading: 'Who handles it',
    whoStaff: 'Health department staff read applications and call transcripts to review your application.',
    whoStaffRecorded:
      'Health department staff read applications and call transcripts and listen to recordings to review your application.',
    whoProcessors:
      'Twilio carries our calls and text messages. OpenAI runs the automated assistant that talks with you on the phone and transcribes the call.',
    textsHeading: 'Text messages',
    textsText:
      'We text you only if you say yes when we ask, and we keep when you said it and whether it was on the phone or on this website. Reply STOP to any of our texts to stop them, and START to have them again.',
    keepHeading: 'How long we keep it',
    keepDrafts:
      'An application that was never submitted, and the record of each call (your number, the transcript), are erased {days} days after they were last used.',
    keepDraftsRecorded:
      'An application that was never submitted, and the record of each call (your number, the transcript, the recording), are erased {days} days after they were last used.',
    keepSubmitted:
      "A submitted application is a record the department must keep. It is kept for as long as the department's records schedule requires, usually some years after the permit ends, and may be released under public records law, with personal details withheld where the law allows.",
    protectHeading: 'How we protect it',
    protectText:
      'Personal details, transcripts and recordings are stored encrypted, and only signed-in staff can read them. Every erasure, by staff or when the time above runs out, is written to an audit log.',
    choicesHeading: 'Your choices',
    choicesText:
      'You can apply on this website instead of by phone. To see or correct your application, or to ask us to erase your personal data where the law allows, contact the health department and give your reference number if you have one.',
  },
  /** Words that values are said or written with. */
  values: { yes: 'yes', no: 'no', extension: 'extension', writtenExtension: 'ext.' },
};

/** The shape every language's catalogue has: the English one's keys, each a line of text. */
export type Catalogue = typeof en;
